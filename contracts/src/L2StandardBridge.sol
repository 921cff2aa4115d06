// SPDX-License-Identifier: MIT
// Devnet stand-in for OP-Stack's L2StandardBridge: the relayer finalizes L1 deposits (ETH or a mintable token).
pragma solidity ^0.8.24;

interface IL2MintableERC20 {
    function remoteToken() external view returns (address);
    function mint(address to, uint256 amount) external;
}

contract L2StandardBridge {
    /// OP's Predeploys.LEGACY_ERC20_ETH: the "l2Token" of ETH deposits.
    address public constant LEGACY_ERC20_ETH = 0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000;

    address public immutable relayer;
    /// Highest L1 deposit nonce already finalized plus one; guards against a double finalize.
    uint256 public nextDepositNonce;

    event DepositFinalized(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    error OnlyRelayer();
    error WrongNonce(uint256 expected, uint256 got);
    error WrongValue();
    error RemoteTokenMismatch();
    error EthTransferFailed();

    constructor(address relayer_) {
        relayer = relayer_;
    }

    /// @notice OP's signature; ETH deposits carry their amount as msg.value (the relayer pays it).
    function finalizeDeposit(
        address _l1Token,
        address _l2Token,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    ) public payable {
        if (msg.sender != relayer) revert OnlyRelayer();
        if (_l1Token == address(0) && _l2Token == LEGACY_ERC20_ETH) {
            if (msg.value != _amount) revert WrongValue();
            (bool ok, ) = _to.call{value: _amount}("");
            if (!ok) revert EthTransferFailed();
        } else {
            if (msg.value != 0) revert WrongValue();
            if (IL2MintableERC20(_l2Token).remoteToken() != _l1Token) revert RemoteTokenMismatch();
            IL2MintableERC20(_l2Token).mint(_to, _amount);
        }
        emit DepositFinalized(_l1Token, _l2Token, _from, _to, _amount, _extraData);
    }

    /// @notice Finalizes L1 deposit number `nonce` exactly once and in order (the devnet relayer's entry point).
    function finalizeDepositWithNonce(
        uint256 nonce,
        address _l1Token,
        address _l2Token,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    ) external payable {
        if (nonce != nextDepositNonce) revert WrongNonce(nextDepositNonce, nonce);
        nextDepositNonce = nonce + 1;
        finalizeDeposit(_l1Token, _l2Token, _from, _to, _amount, _extraData);
    }
}

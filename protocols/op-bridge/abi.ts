// OP-Stack bridge functions and events (signatures as in ethereum-optimism L1StandardBridge / L2StandardBridge).
import { parseAbi, parseAbiItem } from 'viem'

/** L1StandardBridge deposit entry points (legacy names, still supported by OP-Stack chains). */
export const l1BridgeAbi = parseAbi([
  'function depositETH(uint32 _minGasLimit, bytes _extraData) payable',
  'function depositETHTo(address _to, uint32 _minGasLimit, bytes _extraData) payable',
  'function depositERC20To(address _l1Token, address _l2Token, address _to, uint256 _amount, uint32 _minGasLimit, bytes _extraData)',
  'event ETHDepositInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData)',
  'event ERC20DepositInitiated(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)',
])

/** Emitted by the L2 bridge when a deposit is credited: the arrival evidence `verify` looks for. */
export const depositFinalizedEvent = parseAbiItem(
  'event DepositFinalized(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)',
)

/** Emitted by OP's legacy L2 bridge (and the devnet's) when a deposit cannot be credited: a definitive failure. */
export const depositFailedEvent = parseAbiItem(
  'event DepositFailed(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)',
)

/** OptimismMintableERC20: the L1 token an L2 token represents. */
export const mintableErc20Abi = parseAbi(['function remoteToken() view returns (address)'])

/** OP's Predeploys.LEGACY_ERC20_ETH: the "l2Token" of ETH deposits in DepositFinalized. */
export const LEGACY_ERC20_ETH = '0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000' as const
